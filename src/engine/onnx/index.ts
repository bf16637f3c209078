export { compileTrainer, type StepResult, type Trainer, type TrainerOptions, type TrainerState } from './trainer.js';
export type { LossName } from './loss.js';
export type { OptimizerConfig } from './optimizer.js';
export * from '../../model/spec.js';
