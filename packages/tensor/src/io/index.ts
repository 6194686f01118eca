// safetensors and .npy.
export {};
