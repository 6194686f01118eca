// The random op family.
export {};
