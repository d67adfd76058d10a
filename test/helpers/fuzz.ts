// Property tests (fast-check) run on a fixed seed: every run of the suite tries the same inputs, so a red
// run is reproducible and a green one never depends on chance. To explore other inputs, set FUZZ_SEED
// (FUZZ_SEED=$RANDOM npm test -- test/security); a counterexample found that way becomes a fixed case.
export const fuzzSeed = Number(process.env.FUZZ_SEED ?? 20_261_206);
