// Validates Kubernetes objects against the upstream schemas that the kubernetes-models npm
// packages compile (Kubernetes OpenAPI; CRDs of Strimzi, CloudNativePG, KEDA, prometheus-operator, External
// Secrets). Plain ESM because those packages are ESM-only and Jest runs CommonJS: the k8s test
// pipes the rendered objects (JSON array) to this script and reads one JSON report back.
//   node tools/k8s/schema-check.mjs < objects.json  →  {"checked": n, "failures": [{kind, name, error}]}
const PACKAGES = {
  'kafka.strimzi.io': '@kubernetes-models/strimzi-kafka-operator',
  'postgresql.cnpg.io': '@kubernetes-models/cloudnative-pg',
  'keda.sh': '@kubernetes-models/keda',
  'external-secrets.io': '@kubernetes-models/external-secrets',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
};

/** Module path of the model class of an apiVersion/kind, or undefined when none is known. */
export function modelModule(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (!group) return `kubernetes-models/${version}/${kind}`;
  if (PACKAGES[group]) return `${PACKAGES[group]}/${group}/${version}/${kind}`;
  return `kubernetes-models/${group}/${version}/${kind}`;
}

async function check(objects) {
  const failures = [];
  for (const o of objects) {
    const where = { kind: o.kind, name: o.metadata?.name };
    let Model;
    try {
      Model = (await import(modelModule(o.apiVersion, o.kind)))[o.kind];
    } catch {
      failures.push({ ...where, error: `no schema known for ${o.apiVersion} ${o.kind}` });
      continue;
    }
    try {
      new Model(o).validate();
    } catch (e) {
      failures.push({ ...where, error: String(e.message ?? e).slice(0, 2000) });
    }
  }
  return { checked: objects.length, failures };
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', async () => {
  process.stdout.write(JSON.stringify(await check(JSON.parse(input))));
});
