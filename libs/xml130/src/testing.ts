/**
 * `@bhyt/xml130/testing`: synthetic encounters (made-up patients, deterministic per seed) for
 * tests, benchmarks, the chaos run and the demo. Kept out of the production index so that a
 * service cannot build a claim from a synthetic patient by importing the wrong name.
 */
export { scenarios, listScenarios, type ScenarioOptions } from './fixtures/scenarios';
export { syntheticPatient, type SyntheticPatient } from './fixtures/synthetic-patient';
