// File formats: safetensors and NumPy's .npy, with crash-safe (atomic) writes.
export {
  saveSafetensors, loadSafetensors, saveFile, loadFile, saveFileSync, loadFileSync, SAFETENSORS_MAX_HEADER,
  type SafetensorsOptions, type SafetensorsContents,
} from './safetensors.js';
export { saveNpy, loadNpy, saveNpyFile, loadNpyFile, saveNpyFileSync, loadNpyFileSync } from './npy.js';
export { writeFileAtomic, writeFileAtomicSync } from './atomicWrite.js';
