// The millrace side of the models benchmark: one timed replay run per call, through the public
// API only (queueStream -> trainOn / predictOn), as a user would run it.
import { queueStream } from 'millrace';
import { timeReplay } from './replay.mjs';

/** Plain copies of a model's parameters, taken after the run (nothing timed). */
function copyParameters(parameters) {
  const copy = (vector) => Array.from(vector);
  return parameters.centers
    ? { centers: parameters.centers.map(copy) }
    : { weights: copy(parameters.weights), intercept: parameters.intercept };
}

/** A run of `config`'s model trained on every batch; gives its final parameters. */
export function trainRun(spec, config, d, batches) {
  return () =>
    timeReplay((ssc) => {
      const model = config.create(d, batches);
      model.trainOn(queueStream(ssc, batches));
      return () => ({ parameters: copyParameters(spec.parameters(model)) });
    });
}

/** A run of predictOn over every batch with a model set to the true parameters. */
export function predictRun(spec, arrays, d, batches) {
  return () =>
    timeReplay((ssc) => {
      let predicted = 0;
      spec
        .predictor(arrays, d)
        .predictOn(queueStream(ssc, batches))
        .foreachBatch((items) => {
          predicted += items.length;
        });
      return () => ({ predicted });
    });
}

/**
 * A run of predictOnBlocks with a model set to the true parameters: each batch is one VectorBlock
 * over a slice of the data file's feature array (no copy), as a decoder of binary frames gives.
 */
export function predictBlocksRun(spec, arrays, d, blockBatches) {
  return () =>
    timeReplay((ssc) => {
      let predicted = 0;
      spec
        .predictor(arrays, d)
        .predictOnBlocks(queueStream(ssc, blockBatches))
        .foreachBatch((predictions) => {
          for (const block of predictions) predicted += block.length;
        });
      return () => ({ predicted });
    });
}

/**
 * A training run judged at `budgetSeconds` of wall time: the model counts as it was after the last
 * batch that completed within the budget (a batch still running at the budget doesn't count), and
 * batches that would start later reach trainOn empty (an empty batch leaves a model unchanged)
 * while the context stops. Gives that model's parameters, the points it had been trained on and
 * when its last counted batch completed.
 */
export function budgetedTrainRun(spec, config, d, batches, budgetSeconds) {
  return () =>
    timeReplay((ssc, elapsed) => {
      const model = config.create(d, batches);
      let counted = {
        points: 0,
        trainingSeconds: 0,
        parameters: copyParameters(spec.parameters(model)),
      };
      let points = 0;
      let isOver = false;
      const end = () => {
        isOver = true;
        void ssc.stop({ graceful: false });
      };
      const source = queueStream(ssc, batches);
      model.trainOn(
        source.transform((items) => {
          if (!isOver && elapsed() > budgetSeconds) end();
          if (isOver) return [];
          points += items.length;
          return items;
        }),
      );
      // Registered after trainOn, so it runs once the batch's training is done.
      source.foreachBatch(() => {
        if (isOver) return;
        const now = elapsed();
        if (now > budgetSeconds) end();
        else
          counted = {
            points,
            trainingSeconds: now,
            parameters: copyParameters(spec.parameters(model)),
          };
      });
      return () => counted;
    });
}
