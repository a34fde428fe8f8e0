import type { TestProject } from "vitest/node";
import { startFakeOidcIssuer } from "../../../test-support/fake-oidc-issuer.ts";

/** Starts the fake OIDC issuer once for the control test project and hands its URL to the tests. */
export default async function setup(project: TestProject) {
  const { url, server } = await startFakeOidcIssuer();
  project.provide("oidcIssuer", url);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
