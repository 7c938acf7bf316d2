import { formatRecord } from './format-record.js';

/**
 * The output function of `print`: Spark's layout, a header naming the batch time, then the first
 * `num` records one per line (in `formatRecord`'s text form), `...` when there were more.
 */
export function printRecords<T>(
  num: number,
  write: (line: string) => void,
): (items: readonly T[], time: number) => void {
  return (items, time) => {
    write('-------------------------------------------');
    write(`Time: ${time} ms`);
    write('-------------------------------------------');
    for (const item of items.slice(0, num)) write(formatRecord(item));
    if (items.length > num) write('...');
    write('');
  };
}
