/**
 * @cinder/data: datasets and data loading (torch.utils.data, plus MNIST, CSV and a procedural
 * digits set).
 *
 * @example
 * ```ts
 * import { DataLoader, ProceduralDigits } from '@cinder/data';
 * import { Generator } from '@cinder/tensor';
 * const loader = new DataLoader(new ProceduralDigits({ length: 1000 }), { batchSize: 64, shuffle: true, generator: new Generator().manualSeed(0) });
 * for (const [images, labels] of loader) { images.shape; labels.shape; } // [64, 1, 28, 28], [64]
 * ```
 */
import { setPackageEntry, startWorkerIfNeeded } from './workers.js';

export {
  Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset, randomSplit,
  type DatasetRecipe, type ModuleRecipe, type TensorsRecipe, type SubsetRecipe, type ConcatRecipe,
} from './dataset.js';
export {
  Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler,
  type Sized, type RandomSamplerOptions, type WeightedRandomSamplerOptions,
} from './sampler.js';
export { defaultCollate, type Collated } from './collate.js';
export { DataLoader, type DataLoaderOptions, type IndexSampler, type IndexBatchSampler } from './dataloader.js';
export { getWorkerInfo, buildDataset, type WorkerInfo, type WorkerThreadOptions } from './workers.js';
export { parseIdx, readIdxFile, readIdxHeader, type IdxHeader } from './idx.js';
export { ImageClassificationDataset, type ImageTransform, type ImageDatasetOptions } from './images.js';
export { MNIST, FashionMNIST, type MNISTOptions, type DownloadOptions } from './mnist.js';
export { CSVDataset, parseCsv, type CSVDatasetOptions, type CsvParseOptions, type CsvSample } from './csv.js';
export { ProceduralDigits, Digits, renderDigit, toAscii, type ProceduralDigitsOptions, type AsciiOptions } from './digits.js';

// Workers load this module (the package entry) to get the dataset classes and the worker loop.
setPackageEntry(import.meta.url);
startWorkerIfNeeded();
