import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../src/index.js';
import { ADAPTERS } from './adapters.js';
import { repeated, roundTrip, run } from './run.js';

// Every comparison here is exact (toEqual compares numbers with Object.is): JSON keeps float64
// values to the bit, so a restored model must predict and train exactly like the original.

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'millrace-conformance-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe.each(ADAPTERS)('$title: persistence', (adapter) => {
  const training = adapter.trainingBatches(11, 4);
  const further = [...adapter.trainingBatches(12, 2), [], ...adapter.trainingBatches(13, 1)];
  const inputs = adapter.predictionInputs(14);

  it('latestModel() restored from JSON predicts and trains on exactly like the original', async () => {
    const algorithm = adapter.create(1);
    await run(adapter, algorithm, { train: training });
    const model = algorithm.latestModel();
    const copy = adapter.modelFromJSON(roundTrip(model));
    expect(copy.toJSON()).toEqual(model.toJSON());
    expect(adapter.predictDirect(copy, inputs)).toEqual(adapter.predictDirect(model, inputs));

    const fromOriginal = adapter.resumeFrom(model);
    const fromCopy = adapter.resumeFrom(copy);
    const plan = { train: further, predict: repeated(inputs, further.length) };
    const original = await run(adapter, fromOriginal, plan);
    const restored = await run(adapter, fromCopy, plan);
    expect(restored.predictions).toEqual(original.predictions);
    expect(restored.predictions.flat()).toHaveLength(further.length * inputs.length);
    expect(fromCopy.latestModel().toJSON()).toEqual(fromOriginal.latestModel().toJSON());
    // Not vacuous: the further batches did change the model.
    expect(fromOriginal.latestModel().toJSON()).not.toEqual(model.toJSON());
  });

  it('the streaming model restored from JSON mid-stream continues exactly like the original', async () => {
    const algorithm = adapter.create(2, 'subject');
    await run(adapter, algorithm, { train: training });
    const copy = adapter.fromJSON(roundTrip(algorithm));
    expect(copy.toJSON()).toEqual(algorithm.toJSON());

    const plan = { train: further, predict: repeated(inputs, further.length) };
    const original = await run(adapter, algorithm, plan);
    const restored = await run(adapter, copy, plan);
    expect(restored.predictions).toEqual(original.predictions);
    expect(restored.predictions.flat()).toHaveLength(further.length * inputs.length);
    expect(copy.toJSON()).toEqual(algorithm.toJSON());
  });

  it('save(path) and load(path) round-trip both the streaming model and its model', async () => {
    const algorithm = adapter.create(3, 'subject');
    await run(adapter, algorithm, { train: training });
    const algorithmPath = join(directory, adapter.title, 'nested', 'algorithm.json');
    const modelPath = join(directory, adapter.title, 'model.json');
    await algorithm.save(algorithmPath);
    await algorithm.latestModel().save(modelPath);

    // The file holds exactly toJSON(), nothing more, nothing less.
    expect(JSON.parse(await readFile(algorithmPath, 'utf8'))).toEqual(roundTrip(algorithm));
    const loaded = await adapter.load(algorithmPath);
    expect(loaded.toJSON()).toEqual(algorithm.toJSON());
    const loadedModel = await adapter.loadModel(modelPath);
    expect(adapter.predictDirect(loadedModel, inputs)).toEqual(
      adapter.predictDirect(algorithm.latestModel(), inputs),
    );
    expect(adapter.predictDirect(loaded.latestModel(), inputs)).toEqual(
      adapter.predictDirect(algorithm.latestModel(), inputs),
    );
  });

  it('an unknown format version or another kind is a ModelFormatError, from JSON and from a file', async () => {
    const algorithm = adapter.create(4);
    const saved = roundTrip(algorithm) as { version: number };
    const savedModel = roundTrip(algorithm.latestModel()) as { version: number };
    const future = { ...saved, version: saved.version + 1 };
    const futureModel = { ...savedModel, version: savedModel.version + 1 };
    expect(() => adapter.fromJSON(future)).toThrow(ModelFormatError);
    expect(() => adapter.fromJSON(future)).toThrow(/format version \d+ is not supported/);
    expect(() => adapter.modelFromJSON(futureModel)).toThrow(/format version \d+ is not supported/);
    expect(() => adapter.fromJSON(savedModel)).toThrow(ModelFormatError);
    expect(() => adapter.modelFromJSON(saved)).toThrow(ModelFormatError);

    const path = join(directory, `${adapter.title}-future.json`);
    await writeFile(path, JSON.stringify(future));
    await expect(adapter.load(path)).rejects.toThrow(ModelFormatError);
    await writeFile(path, JSON.stringify(futureModel));
    await expect(adapter.loadModel(path)).rejects.toThrow(ModelFormatError);
  });
});
