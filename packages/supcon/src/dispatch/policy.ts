/**
 * Access policy decisions: may node `caller` call (or subscribe to) `member` of `intf` on `path`?
 */
/** An access policy: a list of rules; a call or subscription is allowed when one rule matches it. */
export interface AccessPolicy {
  readonly allow: readonly AccessRule[];
}

/**
 * One rule. Each field lists patterns, where `*` matches any run of characters (`sensor-*`, `/lab/*`,
 * `com.example.*`); an absent field matches everything.
 */
export interface AccessRule {
  /** Names of the calling (or subscribing) nodes. */
  readonly nodes?: readonly string[];
  /** Object paths. */
  readonly paths?: readonly string[];
  /** Interface names. */
  readonly intfs?: readonly string[];
  /** Method or event names. */
  readonly members?: readonly string[];
}

/** What a request asks for. */
export interface AccessRequest {
  readonly caller: string;
  readonly path: string;
  readonly intf: string;
  readonly member: string;
}

export type AccessCheck = (request: AccessRequest) => boolean;

/**
 * Compiles the policy of node `self` into a check; without a policy everything is allowed. A node may always call
 * and subscribe to its own objects: the policy is about other nodes.
 */
export function compilePolicy(policy: AccessPolicy | undefined, self: string): AccessCheck {
  if (policy === undefined) return () => true;
  const own: AccessCheck = (request) => request.caller === self;
  const rules = [own, ...policy.allow.map(compileRule)];
  return (request) => rules.some((rule) => rule(request));
}

function compileRule(rule: AccessRule): AccessCheck {
  const nodes = patterns(rule.nodes);
  const paths = patterns(rule.paths);
  const intfs = patterns(rule.intfs);
  const members = patterns(rule.members);
  return (r) => nodes(r.caller) && paths(r.path) && intfs(r.intf) && members(r.member);
}

/** A matcher for a list of `*` patterns; an absent list matches everything. */
function patterns(list: readonly string[] | undefined): (value: string) => boolean {
  if (list === undefined) return () => true;
  const regexps = list.map(
    (p) =>
      new RegExp(
        `^${p
          .split("*")
          .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
          .join(".*")}$`,
      ),
  );
  return (value) => regexps.some((re) => re.test(value));
}
