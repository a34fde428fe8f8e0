/** Values the global setups hand to tests through vitest's provide/inject. */
declare module "vitest" {
  export interface ProvidedContext {
    upstreamUrl: string;
    /** The fake OIDC issuer of the control tests (create tenants at `POST /_tenants`). */
    oidcIssuer: string;
  }
}

export {};
