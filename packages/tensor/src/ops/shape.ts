// The shape op family.
export {};
