// The indexing op family.
export {};
