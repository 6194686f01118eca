// The reduction op family.
export {};
