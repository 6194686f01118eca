// PyTorch-style printing.
export {};
