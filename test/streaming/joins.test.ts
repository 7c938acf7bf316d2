import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  queueStream,
  type DStream,
  type StreamingContext,
} from '../../src/index.js';
import { collectBatches, manualContext } from './collect.js';

type Order = [string, string];
type Payment = [string, number];

const orders: Order[][] = [
  [
    ['o1', 'tea'],
    ['o2', 'cake'],
    ['o1', 'milk'],
  ],
  [['o3', 'jam']],
];
const payments: Payment[][] = [
  [
    ['o1', 5],
    ['o4', 9],
    ['o1', 6],
  ],
  [],
];

const orderStream = (ssc: StreamingContext): DStream<Order> => queueStream(ssc, orders);
const paymentStream = (ssc: StreamingContext): DStream<Payment> => queueStream(ssc, payments);

describe('joins', () => {
  it('join, the outer joins and cogroup pair values of the same key, batch by batch', async () => {
    const ssc = manualContext();
    const left = orderStream(ssc);
    const right = paymentStream(ssc);
    const inner = collectBatches(left.join(right));
    const leftOuter = collectBatches(left.leftOuterJoin(right));
    const rightOuter = collectBatches(left.rightOuterJoin(right));
    const fullOuter = collectBatches(left.fullOuterJoin(right));
    const cogrouped = collectBatches(left.cogroup(right));
    ssc.start();
    await ssc.advance(2);
    await ssc.stop();
    expect(inner).toEqual([
      [
        1000,
        [
          ['o1', ['tea', 5]],
          ['o1', ['tea', 6]],
          ['o1', ['milk', 5]],
          ['o1', ['milk', 6]],
        ],
      ],
      [2000, []],
    ]);
    expect(leftOuter).toEqual([
      [
        1000,
        [
          ['o1', ['tea', 5]],
          ['o1', ['tea', 6]],
          ['o1', ['milk', 5]],
          ['o1', ['milk', 6]],
          ['o2', ['cake', undefined]],
        ],
      ],
      [2000, [['o3', ['jam', undefined]]]],
    ]);
    expect(rightOuter).toEqual([
      [
        1000,
        [
          ['o1', ['tea', 5]],
          ['o1', ['tea', 6]],
          ['o1', ['milk', 5]],
          ['o1', ['milk', 6]],
          ['o4', [undefined, 9]],
        ],
      ],
      [2000, []],
    ]);
    expect(fullOuter).toEqual([
      [
        1000,
        [
          ['o1', ['tea', 5]],
          ['o1', ['tea', 6]],
          ['o1', ['milk', 5]],
          ['o1', ['milk', 6]],
          ['o2', ['cake', undefined]],
          ['o4', [undefined, 9]],
        ],
      ],
      [2000, [['o3', ['jam', undefined]]]],
    ]);
    expect(cogrouped).toEqual([
      [
        1000,
        [
          [
            'o1',
            [
              ['tea', 'milk'],
              [5, 6],
            ],
          ],
          ['o2', [['cake'], []]],
          ['o4', [[], [9]]],
        ],
      ],
      [2000, [['o3', [['jam'], []]]]],
    ]);
  });

  it('joins a windowed stream with another of the same slide', async () => {
    const ssc = manualContext();
    const recent = orderStream(ssc).window(2000, 2000);
    const paid = paymentStream(ssc).window(2000, 2000);
    const joined = collectBatches(recent.leftOuterJoin(paid).filter(([key]) => key !== 'o1'));
    ssc.start();
    await ssc.advance(2);
    await ssc.stop();
    expect(joined).toEqual([
      [
        2000,
        [
          ['o2', ['cake', undefined]],
          ['o3', ['jam', undefined]],
        ],
      ],
    ]);
  });

  it('rejects streams with different slides or from different contexts', () => {
    const ssc = manualContext();
    const left = orderStream(ssc);
    expect(() => left.join(paymentStream(ssc).window(2000, 2000))).toThrow(ConfigurationError);
    expect(() => left.leftOuterJoin(paymentStream(ssc).window(2000, 2000))).toThrow(
      'leftOuterJoin() joins batch by batch, so both streams need the same slide; got 1000 ms and 2000 ms',
    );
    expect(() => left.cogroup(paymentStream(manualContext()))).toThrow(/same StreamingContext/);
  });
});
