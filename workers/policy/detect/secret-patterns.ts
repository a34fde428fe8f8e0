import type { PiiDetector } from "./pii-patterns.ts";
import { caseless } from "./validators.ts";

/** Distinct characters in a value: placeholders (`xxxx…`, `AKIAXXXX…`) have very few. */
function distinct(value: string): number {
  return new Set(value).size;
}

const PROVIDER_KEYS = [
  String.raw`gh[pousr]_[A-Za-z0-9]{36,255}`,
  String.raw`github_pat_[A-Za-z0-9_]{22,255}`,
  String.raw`xox[abprse]-[A-Za-z0-9-]{10,120}`,
  String.raw`xapp-\d-[A-Za-z0-9-]{10,120}`,
  String.raw`(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,99}`,
  String.raw`sk-(?:proj-|svcacct-|admin-|ant-(?:api|admin)\d{2}-)?[A-Za-z0-9_-]{20,200}`,
  String.raw`AIza[0-9A-Za-z_-]{35}`,
  String.raw`SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}`,
  String.raw`npm_[A-Za-z0-9]{36}`,
  String.raw`glpat-[A-Za-z0-9_-]{20,64}`,
  String.raw`hf_[A-Za-z]{30,40}`,
  String.raw`shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}`,
  String.raw`do[por]_v1_[a-f0-9]{64}`,
  String.raw`pypi-[A-Za-z0-9_-]{50,200}`,
];

const PREFIXED = new RegExp(`^(?:${PROVIDER_KEYS.join("|")})$`);

const SECRET_NAMES = [
  "aws_secret_access_key",
  "secret_access_key",
  "secretaccesskey",
  "api_key",
  "apikey",
  "api-key",
  "client_secret",
  "secret_key",
  "auth_token",
  "access_token",
  "private_token",
].map((name) => caseless(name).replace(/_/g, "[_-]?"));

/**
 * Credentials: provider keys by their issued formats (GitHub, Slack, Stripe,
 * OpenAI, Anthropic, Google, SendGrid, npm, GitLab, Hugging Face, Shopify,
 * DigitalOcean, PyPI), keys without a prefix when a config assignment names them
 * (`aws_secret_access_key = …`, `"client_secret": "…"`), AWS key ids, PEM
 * private keys (also JSON-escaped) and JWTs. Placeholders made of a handful of
 * distinct characters are not secrets.
 */
export const SECRET_DETECTORS: Readonly<Record<string, PiiDetector>> = {
  aws_access_key: {
    type: "aws_access_key",
    category: "secret",
    label: "AWS_ACCESS_KEY",
    priority: 4,
    pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b/g,
    validate: (match) => distinct(match.slice(4)) >= 6,
  },
  api_key: {
    type: "api_key",
    category: "secret",
    label: "API_KEY",
    priority: 3,
    // A provider token, or (group 1) a long token after a secret-looking name and
    // `=`/`:`; that branch starts at the separator, the name checked behind it.
    pattern: new RegExp(
      String.raw`(?:${PROVIDER_KEYS.join("|")})(?![A-Za-z0-9_-])|[:=](?<=(?:${SECRET_NAMES.join("|")})["']?\s{0,3}[:=])\s{0,3}["']?([A-Za-z0-9/+_=.-]{16,128})(?![A-Za-z0-9/+_=.-])`,
      "g",
    ),
    group: 1,
    // The match starts at the `=` or `:`, the name is looked for behind it.
    reach: 5,
    validate: (match, text, index) => {
      if (/[A-Za-z0-9_-]/.test(text[index - 1] ?? "")) return false;
      const body = match.replace(/^[a-z]{2,6}[_-](?:[a-z]{2,7}\d{0,2}[_-])?/i, "");
      if (distinct(body) < 8) return false;
      return PREFIXED.test(match)
        ? /[0-9A-Z]/.test(body) && /[a-z0-9]/.test(body)
        : /\d/.test(body) && /[A-Za-z]/.test(body);
    },
  },
  private_key: {
    type: "private_key",
    category: "secret",
    label: "PRIVATE_KEY",
    priority: 4,
    pattern:
      /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----[A-Za-z0-9+/=\s:,\\-]{0,8192}?-----END (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----/g,
  },
  jwt: {
    type: "jwt",
    category: "secret",
    label: "JWT",
    priority: 4,
    pattern: /\beyJ[A-Za-z0-9_-]{8,2048}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{8,1024}/g,
  },
};
