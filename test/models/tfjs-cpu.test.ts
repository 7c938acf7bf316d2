import * as tf from '@tensorflow/tfjs';
import { loadTensorFlow } from '../../src/models/tfjs-loader.js';
import { describeInterop } from './tfjs-suite.js';

// The pure-JavaScript CPU backend, which every install has. When tfjs-node is installed too,
// loading picks it and activates its backend; switching back afterwards is what a user who wants
// the CPU backend does, and predictWith must follow the backend that is active.
describeInterop({
  name: 'cpu',
  prepare: async () => {
    await loadTensorFlow();
    if (!(await tf.setBackend('cpu'))) throw new Error('the tfjs CPU backend failed to start');
    return tf;
  },
  // No file system on the CPU backend's own IO: keep the artifacts in memory, as a browser would.
  saveAndLoad: async (tfjs, model) => {
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tfjs.io.withSaveHandler((artifacts) => {
        saved = artifacts;
        return Promise.resolve({
          modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' },
        });
      }),
    );
    if (saved === undefined) throw new Error('model.save produced no artifacts');
    return tfjs.loadLayersModel(tfjs.io.fromMemory(saved));
  },
});
