// Passed to worker threads as `--import` so they can load TypeScript sources (see tsHooks.mjs).
import { register } from 'node:module';

register('./tsHooks.mjs', import.meta.url);
