/**
 * Scheduler behaviour beyond the golden sequences: state dict round trips (nested ones too),
 * resuming with lastEpoch, OneCycleLR's step limit, and the argument checks.
 */
import { describe, expect, it } from 'vitest';
import { tensor } from '@cinder/tensor';
import { optim } from '../src/index.js';

const sgd = (lr = 0.1, momentum = 0.9): optim.SGD =>
  new optim.SGD([tensor([0], { dtype: 'float32', requiresGrad: true })], { lr, momentum });

describe('lr scheduler state', () => {
  it('a scheduler loaded from a state dict continues the same sequence', () => {
    const make = (opt: optim.SGD): optim.CosineAnnealingWarmRestarts =>
      new optim.CosineAnnealingWarmRestarts(opt, 2, { tMult: 2, etaMin: 0.001 });
    const optA = sgd();
    const a = make(optA);
    for (let i = 0; i < 5; i++) a.step();
    const optB = sgd();
    const b = make(optB);
    b.loadStateDict(a.stateDict());
    optB.paramGroups[0]!.lr = optA.paramGroups[0]!.lr;
    for (let i = 0; i < 6; i++) {
      a.step();
      b.step();
      expect(b.getLastLr()).toEqual(a.getLastLr());
    }
  });

  it('SequentialLR saves and restores its schedulers', () => {
    const make = (opt: optim.SGD): optim.SequentialLR =>
      new optim.SequentialLR(opt, [new optim.LinearLR(opt, { startFactor: 0.5, totalIters: 2 }), new optim.StepLR(opt, 2, { gamma: 0.5 })], [3]);
    const optA = sgd();
    const a = make(optA);
    for (let i = 0; i < 4; i++) a.step();
    const sd = a.stateDict();
    expect((sd.schedulers as unknown[]).length).toBe(2);
    expect(sd).not.toHaveProperty('optimizer');
    const optB = sgd();
    const b = make(optB);
    b.loadStateDict(JSON.parse(JSON.stringify(sd)));
    optB.paramGroups[0]!.lr = optA.paramGroups[0]!.lr;
    for (let i = 0; i < 5; i++) {
      a.step();
      b.step();
      expect(optB.paramGroups[0]!.lr).toBe(optA.paramGroups[0]!.lr);
    }
  });

  it('ReduceLROnPlateau state round-trips, infinite best included', () => {
    const opt = sgd();
    const r = new optim.ReduceLROnPlateau(opt, { patience: 1 });
    const sd = r.stateDict();
    expect(sd.best).toBe(Infinity);
    r.step(1);
    r.step(2);
    r.step(2);
    expect(opt.paramGroups[0]!.lr).toBeCloseTo(0.01, 15);
    const r2 = new optim.ReduceLROnPlateau(sgd(), { patience: 5 });
    r2.loadStateDict(r.stateDict());
    expect([r2.patience, r2.best, r2.numBadEpochs, r2.lastEpoch]).toEqual([1, 1, 0, 3]);
    expect(r.getLastLr()[0]).toBeCloseTo(0.01, 15);
    expect(() => r2.loadStateDict({ nonsense: 1 })).toThrow("ReduceLROnPlateau.loadStateDict: unknown state entry 'nonsense'");
  });

  it('resumes with lastEpoch from the groups\' initialLr', () => {
    const opt = sgd(1);
    expect(() => new optim.StepLR(opt, 2, { lastEpoch: 3 })).toThrow(
      'StepLR: param group 0 has no initialLr, which resuming (lastEpoch 3) needs',
    );
    opt.paramGroups[0]!.initialLr = 1;
    opt.paramGroups[0]!.lr = 0.25;
    const s = new optim.StepLR(opt, 2, { gamma: 0.5, lastEpoch: 3 });
    expect(s.lastEpoch).toBe(4);
    expect(opt.paramGroups[0]!.lr).toBe(0.125);
  });

  it('step(epoch) jumps with the closed form', () => {
    const opt = sgd(1);
    const s = new optim.MultiStepLR(opt, [2, 4], { gamma: 0.1 });
    s.step(5);
    expect(opt.paramGroups[0]!.lr).toBeCloseTo(0.01, 15);
    s.step(1);
    expect(opt.paramGroups[0]!.lr).toBe(1);
  });
});

describe('lr scheduler checks', () => {
  it('OneCycleLR refuses to step past its total', () => {
    const opt = sgd();
    const s = new optim.OneCycleLR(opt, 1, { totalSteps: 3 });
    s.step();
    s.step();
    s.step();
    expect(() => s.step()).toThrow('OneCycleLR: tried to step 5 times, but the number of total steps is 3');
  });

  it('OneCycleLR cycles Adam\'s beta1 and needs momentum or betas', () => {
    const w = tensor([0], { dtype: 'float32', requiresGrad: true });
    const adam = new optim.Adam([w], { betas: [0.9, 0.99] });
    new optim.OneCycleLR(adam, 0.1, { totalSteps: 10 });
    expect(adam.paramGroups[0]!.betas).toEqual([0.95, 0.99]);
    const ada = new optim.Adagrad([tensor([0], { dtype: 'float32', requiresGrad: true })]);
    expect(() => new optim.OneCycleLR(ada, 0.1, { totalSteps: 10 })).toThrow(
      'OneCycleLR: cycleMomentum needs an optimizer with momentum or betas (or pass cycleMomentum: false)',
    );
    expect(() => new optim.OneCycleLR(sgd(), 0.1)).toThrow('OneCycleLR: give either totalSteps or both epochs and stepsPerEpoch');
    expect(() => new optim.OneCycleLR(sgd(), [0.1, 0.2], { totalSteps: 5 })).toThrow('OneCycleLR: expected 1 values for maxLr, got 2');
  });

  it('checks arguments, naming the scheduler', () => {
    const opt = sgd();
    expect(() => new optim.StepLR(opt, 0)).toThrow('StepLR: stepSize must be a positive integer, got 0');
    expect(() => new optim.StepLR({} as optim.SGD, 2)).toThrow('StepLR: expected an Optimizer, got [object Object]');
    expect(() => new optim.CosineAnnealingWarmRestarts(opt, 2, { tMult: 1.5 })).toThrow(
      'CosineAnnealingWarmRestarts: tMult must be an integer >= 1, got 1.5',
    );
    expect(() => new optim.LinearLR(opt, { startFactor: 0 })).toThrow('LinearLR: startFactor must be greater than 0 and at most 1');
    expect(() => new optim.LambdaLR(opt, [(e) => e, (e) => e])).toThrow('LambdaLR: expected 1 lrLambdas, got 2');
    expect(() => new optim.ReduceLROnPlateau(opt, { factor: 1 })).toThrow('ReduceLROnPlateau: factor must be < 1');
    expect(() => new optim.ReduceLROnPlateau(opt, { mode: 'up' as 'min' })).toThrow("ReduceLROnPlateau: mode must be 'min' or 'max', got up");
    const other = sgd();
    expect(() => new optim.SequentialLR(opt, [new optim.StepLR(other, 2)], [])).toThrow(
      'SequentialLR: all schedulers must belong to the given optimizer, but schedulers[0] does not',
    );
    expect(() => new optim.SequentialLR(opt, [new optim.StepLR(opt, 2)], [1])).toThrow(
      'SequentialLR: expected 0 milestone(s) for 1 schedulers, got 1',
    );
  });

  it('ReduceLROnPlateau takes a one-element tensor as its metric', () => {
    const opt = sgd();
    const r = new optim.ReduceLROnPlateau(opt, { patience: 0 });
    r.step(tensor(1.0, { dtype: 'float64' }));
    r.step(tensor(1.0, { dtype: 'float64' }));
    expect(opt.paramGroups[0]!.lr).toBeCloseTo(0.01, 15);
  });
});
