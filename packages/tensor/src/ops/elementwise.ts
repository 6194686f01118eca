// The elementwise op family.
export {};
