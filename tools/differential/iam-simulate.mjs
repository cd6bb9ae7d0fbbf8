#!/usr/bin/env node
// Runs @cloud-copilot/iam-simulate on iampath `simulate` request files.
//
//   node iam-simulate.mjs CASES.jsonl > DECISIONS.jsonl
//   node iam-simulate.mjs REQUEST.json [REQUEST.json …]    (one decision per file)
//
// Input: one request file per line (iampath's request-file format, README
// "`iampath simulate`"). Output: one JSON line per case, in input order:
//   {"index": N, "decision": "allowed" | "explicit_deny" | "implicit_deny",
//    "raw": "Allowed" | …, "blockedBy": [...], "ignoredContextKeys": [...]}
// or {"index": N, "error": "…"} when iam-simulate rejects the case.
//
// The translation says, in iam-simulate's terms, exactly what the request file says
// in iampath's (see README.md in this folder, "Translation"). iam-simulate is a
// separate program used through its public API only; nothing of it is copied here.

import { createReadStream, readFileSync, realpathSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'
import { anonymousPrincipal, runSimulation } from '@cloud-copilot/iam-simulate'

const DECISION = {
  Allowed: 'allowed',
  ExplicitlyDenied: 'explicit_deny',
  ImplicitlyDenied: 'implicit_deny'
}

/** `arn:partition:service:region:account:resource` split in six, or undefined. */
function arnParts(text) {
  if (typeof text !== 'string' || !text.startsWith('arn:')) return undefined
  const parts = text.split(':')
  if (parts.length < 6) return undefined
  return {
    partition: parts[1],
    service: parts[2],
    region: parts[3],
    account: parts[4],
    resource: parts.slice(5).join(':')
  }
}

/**
 * The facts iampath takes from the principal when the context does not give them
 * (README: `aws:PrincipalArn`, `aws:PrincipalAccount`, and `aws:username` for users),
 * plus `aws:PrincipalIsAWSService`, which AWS sets for every signed request (true
 * for service principals), and a service's `aws:PrincipalServiceName` (iampath is
 * gaining both). iam-simulate fills none of them itself.
 */
function principalFacts(principal) {
  if (isService(principal)) {
    return { 'aws:PrincipalIsAWSService': 'true', 'aws:PrincipalServiceName': principal }
  }
  const arn = arnParts(principal)
  if (!arn || !/^[0-9]{12}$/.test(arn.account)) return {}
  const facts = { 'aws:PrincipalAccount': arn.account, 'aws:PrincipalIsAWSService': 'false' }
  const slash = arn.resource.indexOf('/')
  const kind = slash === -1 ? arn.resource : arn.resource.slice(0, slash)
  const rest = slash === -1 ? '' : arn.resource.slice(slash + 1)
  if (arn.service === 'iam' && kind === 'user') {
    facts['aws:PrincipalArn'] = principal
    facts['aws:username'] = rest.slice(rest.lastIndexOf('/') + 1)
  } else if (arn.service === 'iam' && kind === 'role') {
    facts['aws:PrincipalArn'] = principal
  } else if (arn.service === 'sts' && kind === 'assumed-role') {
    const role = rest.slice(0, rest.indexOf('/'))
    facts['aws:PrincipalArn'] = `arn:${arn.partition}:iam::${arn.account}:role/${role}`
  } else if (arn.service === 'sts' && kind === 'federated-user') {
    facts['aws:PrincipalArn'] = principal
  } else if (arn.service === 'iam' && arn.resource === 'root') {
    facts['aws:PrincipalArn'] = principal
  }
  return facts
}

function principalAccount(principal) {
  const arn = arnParts(principal)
  return arn && /^[0-9]{12}$/.test(arn.account) ? arn.account : undefined
}

const isService = (p) => typeof p === 'string' && !p.startsWith('arn:') && /\.amazonaws\.com(\.cn)?$/.test(p)

/** RCPFullAWSAccess as AWS attaches it: iam-simulate adds it to every level itself. */
function isRcpFullAwsAccess(policy) {
  const stmts = Array.isArray(policy?.Statement) ? policy.Statement : [policy?.Statement]
  if (stmts.length !== 1 || !stmts[0]) return false
  const s = stmts[0]
  const one = (v) => (Array.isArray(v) && v.length === 1 ? v[0] : v)
  return (
    s.Effect === 'Allow' &&
    s.Condition === undefined &&
    (one(s.Principal) === '*' || one(s.Principal?.AWS) === '*') &&
    one(s.Action) === '*' &&
    one(s.Resource) === '*'
  )
}

const text = (v) => (typeof v === 'string' ? v : String(v))

/** Translates one iampath request file into an iam-simulate `Simulation`. */
export function translate(file) {
  const req = file.request ?? {}
  const principal = req.principal
  const anonymous = principal === '*'
  const resourceArn = arnParts(req.resource)
  const resourceAccount = req.resourceAccount ?? resourceArn?.account ?? ''
  const management = file.managementAccount
  const callerAccount = principalAccount(principal)

  const context = {}
  for (const [key, value] of Object.entries(req.context ?? {})) {
    context[key] = Array.isArray(value) ? value.map(text) : text(value)
  }
  const given = new Set(Object.keys(context).map((k) => k.toLowerCase()))
  for (const [key, value] of Object.entries(principalFacts(principal))) {
    if (!given.has(key.toLowerCase())) context[key] = value
  }

  // SCPs are the caller's account's: none for anonymous callers and services (they
  // have no account), none for principals of the management account.
  const scpsApply = !anonymous && !isService(principal) && callerAccount !== undefined &&
    callerAccount !== management
  const serviceControlPolicies = scpsApply
    ? (file.serviceControlPolicies ?? []).map((level, i) => ({
        orgIdentifier: `scp-level-${i}`,
        policies: level.map((policy, j) => ({ name: `serviceControlPolicies[${i}][${j}]`, policy }))
      }))
    : []

  // RCPs are the resource's account's, except in the management account.
  const rcpsApply = resourceAccount !== management
  const resourceControlPolicies = []
  if (rcpsApply) {
    for (const [i, level] of (file.resourceControlPolicies ?? []).entries()) {
      if (!level.some(isRcpFullAwsAccess)) {
        throw new Error(`unsupported: RCP level ${i} lacks RCPFullAWSAccess (iam-simulate always adds it)`)
      }
      resourceControlPolicies.push({
        orgIdentifier: `rcp-level-${i}`,
        policies: level
          .map((policy, j) => ({ name: `resourceControlPolicies[${i}][${j}]`, policy }))
          .filter((p) => !isRcpFullAwsAccess(p.policy))
      })
    }
  }

  const simulation = {
    request: {
      principal: anonymous ? anonymousPrincipal : principal,
      action: req.action,
      resource: { resource: req.resource, accountId: resourceAccount },
      contextVariables: context
    },
    identityPolicies: (file.identityPolicies ?? []).map((policy, i) => ({
      name: `identityPolicies[${i}]`,
      policy
    })),
    serviceControlPolicies,
    resourceControlPolicies
  }
  if (file.permissionsBoundary) {
    simulation.permissionBoundaryPolicies = [{ name: 'permissionsBoundary', policy: file.permissionsBoundary }]
  }
  if (file.sessionPolicy) simulation.sessionPolicy = file.sessionPolicy
  if (file.resourcePolicy) simulation.resourcePolicy = file.resourcePolicy
  if (file.restrictPublicBuckets) {
    simulation.additionalSettings = { s3: { blockPublicAccess: true } }
  }
  return simulation
}

/** Decides one request file; never throws. */
export async function decide(file, index) {
  try {
    const result = await runSimulation(translate(file), { simulationMode: 'Strict' })
    if (result.resultType === 'error') {
      return { index, error: JSON.stringify(result.errors) }
    }
    if (result.resultType !== 'single') {
      return { index, error: `unexpected resultType ${result.resultType}` }
    }
    const analysis = result.result.analysis ?? {}
    return {
      index,
      decision: DECISION[result.overallResult] ?? `unknown:${result.overallResult}`,
      raw: result.overallResult,
      blockedBy: analysis.blockedBy ?? [],
      ignoredContextKeys: result.result.ignoredContextKeys ?? []
    }
  } catch (e) {
    return { index, error: `exception: ${e?.message ?? e}` }
  }
}

async function main(args) {
  if (args.length === 0) {
    process.stderr.write('usage: node iam-simulate.mjs CASES.jsonl | REQUEST.json…\n')
    process.exit(2)
  }
  const out = []
  const flush = () => {
    if (out.length > 0) process.stdout.write(out.join('\n') + '\n')
    out.length = 0
  }
  let index = 0
  const one = async (file) => {
    out.push(JSON.stringify(await decide(file, index++)))
    if (out.length >= 1000) flush()
  }
  if (args.length === 1 && args[0].endsWith('.jsonl')) {
    // Line by line: a long run's part is far larger than what it needs at a time.
    const lines = createInterface({ input: createReadStream(args[0]), crlfDelay: Infinity })
    for await (const line of lines) {
      if (line.trim() !== '') await one(JSON.parse(line))
    }
  } else {
    for (const path of args) await one(JSON.parse(readFileSync(path, 'utf8')))
  }
  flush()
}

// Run as a program (not when imported, e.g. by explain.mjs).
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  await main(process.argv.slice(2))
}
