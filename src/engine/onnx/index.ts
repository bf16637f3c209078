export { compileTrainer, type StepResult, type Trainer, type TrainerOptions, type TrainerState } from './trainer.js';
export * from '../../model/spec.js';
