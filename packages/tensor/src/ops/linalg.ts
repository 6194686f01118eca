// The linalg op family.
export {};
