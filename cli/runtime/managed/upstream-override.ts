import { isMap, isSeq, parseDocument } from "yaml";

/**
 * `--upstream` (debug): points every `providers.targets[]` entry at one base URL
 * by rewriting the YAML before the gateway sees it, so the policies, routing and
 * provider adapters run unchanged against, say, a local fake provider. The rest of
 * the document (comments included) is kept as it was. The control plane's version
 * and sha256 still describe the original text; the gateway worker hashes the
 * rewritten one, so events carry that hash while the override is on.
 */
export function overrideUpstream(yamlText: string, baseUrl: string): string {
  const document = parseDocument(yamlText);
  const targets = document.getIn(["providers", "targets"]);
  if (!isSeq(targets)) return yamlText;
  for (const target of targets.items) {
    if (isMap(target)) target.set("base_url", baseUrl);
  }
  return document.toString();
}
