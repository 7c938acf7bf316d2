import {
  CumulativeTotals,
  type BatchEvaluator,
  type ClassificationEvaluation,
  type RegressionEvaluation,
} from './evaluation.js';
import type { LinearRegressionModel, LogisticRegressionModel } from './linear-model.js';
import {
  NO_CLASSIFICATION_TOTALS,
  NO_REGRESSION_TOTALS,
  accuracyOf,
  areaUnderROC,
  classificationTotals,
  logLossOf,
  maeOf,
  regressionTotals,
  rmseOf,
  type ClassificationTotals,
  type RegressionTotals,
} from './metrics.js';
import type { LabeledRows } from './optim/gradient-sum.js';
import { computeMargins } from './optim/rows.js';

/** Margins `w·x + b` of every row of a partition (a regression model's predictions). */
function marginsOf(
  partition: LabeledRows,
  model: LinearRegressionModel | LogisticRegressionModel,
): Float64Array {
  const margins = new Float64Array(partition.rows.n);
  computeMargins(partition.rows, model.weights, model.intercept, margins);
  return margins;
}

/** Prequential RMSE / MAE of a regression model: per batch and cumulative. */
export class RegressionEvaluator
  extends CumulativeTotals<RegressionTotals>
  implements BatchEvaluator<LinearRegressionModel, RegressionEvaluation>
{
  constructor() {
    super(NO_REGRESSION_TOTALS);
  }

  evaluate(
    partitions: readonly LabeledRows[],
    model: LinearRegressionModel,
    batchTime: number,
  ): RegressionEvaluation {
    const { batch, cumulative } = this.accumulate(
      partitions.map((partition) =>
        regressionTotals(marginsOf(partition, model), partition.labels),
      ),
    );
    const summary = (t: RegressionTotals) => ({ count: t.count, rmse: rmseOf(t), mae: maeOf(t) });
    return { kind: 'regression', batchTime, ...summary(batch), cumulative: summary(cumulative) };
  }
}

/**
 * Prequential accuracy, log-loss and AUC of a logistic model. Accuracy uses the model's
 * threshold (0.5 when cleared); AUC ranks the margins, which order records exactly as the
 * probabilities do without the ties that rounding probabilities to 0 or 1 would create.
 */
export class ClassificationEvaluator
  extends CumulativeTotals<ClassificationTotals>
  implements BatchEvaluator<LogisticRegressionModel, ClassificationEvaluation>
{
  constructor() {
    super(NO_CLASSIFICATION_TOTALS);
  }

  evaluate(
    partitions: readonly LabeledRows[],
    model: LogisticRegressionModel,
    batchTime: number,
  ): ClassificationEvaluation {
    const threshold = model.threshold ?? 0.5;
    const margins = partitions.map((partition) => marginsOf(partition, model));
    const { batch, cumulative } = this.accumulate(
      partitions.map((partition, p) =>
        classificationTotals(margins[p], partition.labels, threshold),
      ),
    );
    const auc = areaUnderROC(concat(margins), concat(partitions.map((p) => p.labels)));
    const summary = (t: ClassificationTotals) => ({
      count: t.count,
      accuracy: accuracyOf(t),
      logLoss: logLossOf(t),
    });
    return {
      kind: 'classification',
      batchTime,
      ...summary(batch),
      auc,
      cumulative: summary(cumulative),
    };
  }
}

function concat(arrays: readonly Float64Array[]): Float64Array {
  if (arrays.length === 1) return arrays[0];
  const out = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const array of arrays) {
    out.set(array, at);
    at += array.length;
  }
  return out;
}
