// What a configuration variable holds, judged from its name and its fallback, for the checks that
// report literal fallbacks (FL051 in code, FL052 in compose files). The word lists are catalog
// knowledge (section `secret-names`, rules/catalog/secret-names.yaml); the logic is one.
//
// - signing: a secret this service signs or verifies with (JWT, session, cookie, webhook
//   signatures, the application's own SECRET_KEY): any literal lets anyone forge what it trusts.
// - password: shared by two services we run; a literal fallback usually works, because the
//   database image or compose file defaults to the same value.
// - credential: an API key or token issued by someone else; a placeholder fails closed.
// - url: a connection URL whose fallback carries a password, whatever the variable is called.

import type { SecretWords } from '../../catalog/types.js';

export type SecretKind = 'signing' | 'password' | 'credential' | 'url';

export type { SecretWords } from '../../catalog/types.js';

/** a cookie name: `polar_session`, `app.sid`, `__Host-session` (words joined by separators) */
const COOKIE_NAME = /^(?:__(?:Host|Secure)-)?[A-Za-z][A-Za-z0-9]*(?:[_.-][A-Za-z0-9]+)+$/;

/** a constant's or a registry entry's name: `OPENAI_GPT5_5`, `GEMINI_3.1_FLASH_LITE` */
const REGISTRY_NAME = /^[A-Z][A-Z0-9]*(?:[_.][A-Z0-9]+)+$/;

/** a URL with a password in its userinfo: `postgres://app:secret@db/app` */
export const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^:@/\s]*:([^@/\s]+)@/i;

export interface SecretJudge {
  /** what kind of secret the name holds, or undefined when it is not one */
  kindOf(name: string): Exclude<SecretKind, 'url'> | undefined;
  /** a name with a signing word in it (`jwtOptions`, `JwtModule`, `session`): what sits under it is signed with */
  signs(name: string): boolean;
  /** a name with an encryption word in it (`APP_ENCRYPTION_KEY`): a key for data at rest */
  encrypts(name: string): boolean;
  /** a value a provider would reject: `sk_nothing`, `sk-proj-`, 0000…, `<your-key>`, `your-secret-here` */
  isPlaceholder(value: string): boolean;
  /** variable `name` falling back to `fallback`: what that exposes, or undefined when it is fine */
  judge(name: string, fallback: string): SecretKind | undefined;
}

export function secretJudge(opts: SecretWords): SecretJudge {
  const upper = (l: string[]) => new Set(l.map((w) => w.toUpperCase()));
  const secretWords = upper(opts.secretWords);
  const notSecretWords = upper(opts.notSecretWords);
  const recordKeyWords = upper(opts.recordKeyWords);
  const signingWords = upper(opts.signingWords);
  const appWords = upper(opts.appWords);
  const passwordWords = upper(opts.passwordWords);
  const outboundWords = upper(opts.outboundWords ?? []);
  const publicSaltWords = upper(opts.publicSaltWords ?? []);
  const placeholderWords = new Set(opts.placeholderWords.map((w) => String(w).toLowerCase()));
  const publicPrefixes = (opts.publicPrefixes ?? []).map(String);
  const wordsOf = (name: string) =>
    name
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .split(/[_\W]+/)
      .filter(Boolean)
      .map((w) => w.toUpperCase());
  const kindOf = (name: string): Exclude<SecretKind, 'url'> | undefined => {
    const words = wordsOf(name);
    const last = words[words.length - 1];
    // LDAP_EMAIL_KEY, SORT_KEY: the name of a key in a record, not a key that unlocks anything
    if (last === 'KEY' && words.length > 1 && recordKeyWords.has(words[words.length - 2])) return undefined;
    if (!words.length || !secretWords.has(last) || words.some((w) => notSecretWords.has(w))) return undefined;
    // API_KEY_HASH_SALT, BACKUP_ENCRYPTION_SALT: a salt that makes hashes differ, or one a key is
    // derived with from a password, is public by design (a salt is not a key)
    if (last === 'SALT' && words.some((w) => publicSaltWords.has(w))) return undefined;
    if (passwordWords.has(last)) return words.some((w) => outboundWords.has(w)) ? undefined : 'password';
    if (words.some((w) => signingWords.has(w))) return 'signing';
    // SECRET_KEY, APP_SECRET, DJANGO_SECRET_KEY, AUTH_SECRET: the application's own secret
    const own = words.filter((w) => !appWords.has(w));
    if (own.length && own.every((w) => w === 'SECRET' || w === 'KEY') && own.includes('SECRET')) return 'signing';
    return 'credential';
  };
  const isPlaceholder = (value: string): boolean => {
    const s = value.trim();
    const bare = s.replace(/[-_.\s]/g, '');
    if (bare === '' || /^(.)\1*$/.test(bare)) return true;
    if (/^[<[{(].*[>\]})]$/.test(s)) return true;
    // a key prefix with nothing after it (`sk-proj-`, `sk_live_`, `SG.`, `ghp_`)
    if (/^[A-Za-z]{1,6}(?:[-_][A-Za-z]{2,8})?[-_.]$/.test(s)) return true;
    // its words, the key prefix included (`your-secret-here`) or not (`sk_nothing`, `sk-ant-xxx`)
    const words = s.toLowerCase().split(/[-_.\s]+/).filter(Boolean);
    // or the whole value run together (`NO-DEFINED`, `not_configured`)
    return placeholderWords.has(bare.toLowerCase()) || words.some((w) => placeholderWords.has(w) || /^x{3,}$/.test(w));
  };
  const judge = (name: string, fallback: string): SecretKind | undefined => {
    if (fallback.trim() === '' || fallback.includes('${')) return undefined;
    // AUTH_COOKIE_KEY || 'polar_session': the key a cookie is stored under is its name, not a
    // secret (a cookie-signing key reads like one: `keyboard cat`, a random string)
    const words = wordsOf(name);
    const last = words[words.length - 1];
    if (words.includes('COOKIE') && (last === 'NAME' || (last === 'KEY' && COOKIE_NAME.test(fallback.trim())))) return undefined;
    const url = URL_PASSWORD.exec(fallback.trim());
    if (url) return isPlaceholder(url[1]) || url[1].startsWith('$') ? undefined : 'url';
    // LLM_KEY = "OPENAI_GPT5_5", WORKFLOW_DOWNLOAD_DIRECTORY_PARAMETER_KEY = "SKYVERN_DOWNLOAD_DIRECTORY":
    // a KEY whose fallback is a constant's name looks something up; no issued key or secret is
    // upper-case words joined by `_` or `.`
    if (last === 'KEY' && !words.some((w) => w === 'SECRET' || passwordWords.has(w)) && REGISTRY_NAME.test(fallback.trim())) return undefined;
    const kind = kindOf(name);
    if (!kind) return undefined;
    if (kind === 'credential' && isPlaceholder(fallback)) return undefined;
    // an issued key or token is never two characters long (mem0's `HUGGINGFACE_API_KEY || "hf"` for a TEI
    // server that checks nothing) nor a bare number (OpenHands' `MAX_TOKEN` default '500' is a count)
    const bare = fallback.trim().replace(/[-_.\s]/g, '');
    if (kind === 'credential' && (bare.length <= 2 || /^\d+$/.test(bare))) return undefined;
    // and an API's key is never one lower-case word (gpt-researcher's `OPENAI_API_KEY` default
    // "custom" for a local LM Studio server): issued keys are long random strings, so the
    // provider rejects it (a token the service checks itself, `ADMIN_TOKEN || 'admin'`, stays)
    if (kind === 'credential' && words.slice(-2).join('_') === 'API_KEY' && /^[a-z]{3,12}$/.test(fallback.trim())) return undefined;
    if (kind === 'credential' && publicPrefixes.some((p) => fallback.trim().startsWith(p))) return undefined;
    return kind;
  };
  const signs = (name: string) => wordsOf(name).some((w) => signingWords.has(w));
  const encryptionWords = upper(opts.encryptionWords ?? []);
  const encrypts = (name: string) => wordsOf(name).some((w) => encryptionWords.has(w));
  return { kindOf, signs, encrypts, isPlaceholder, judge };
}
