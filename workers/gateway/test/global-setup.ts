import type { TestProject } from "vitest/node";
import { startFakeUpstream } from "../../../test-support/fake-upstream.ts";

/** Starts the fake provider once for the workerd test project and hands its URL to the tests. */
export default async function setup(project: TestProject) {
  const { url, server } = await startFakeUpstream();
  project.provide("upstreamUrl", url);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
