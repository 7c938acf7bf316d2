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
      const model = config.create(d);
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
 * A training run cut off at `budgetSeconds` of wall time: batches that start after the budget is
 * spent reach trainOn empty (an empty batch leaves a model unchanged) and the context is stopped.
 * Gives the parameters at the cut, the points trained on and the seconds spent training.
 */
export function budgetedTrainRun(spec, config, d, batches, budgetSeconds) {
  return () =>
    timeReplay((ssc, elapsed) => {
      const model = config.create(d);
      let points = 0;
      let cutAt;
      const gated = queueStream(ssc, batches).transform((items) => {
        if (cutAt === undefined && elapsed() >= budgetSeconds) {
          cutAt = elapsed();
          void ssc.stop({ graceful: false });
        }
        if (cutAt !== undefined) return [];
        points += items.length;
        return items;
      });
      model.trainOn(gated);
      return () => ({
        points,
        trainingSeconds: cutAt,
        parameters: copyParameters(spec.parameters(model)),
      });
    });
}
