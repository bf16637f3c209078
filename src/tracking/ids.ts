/**
 * MLflow's rules for ids (mlflow/utils/validation.py). Ids from outside (a store's folders, the
 * command line, a server's answers) become path segments, and these patterns have no `/`, `\`
 * or `.`, so a valid id can never be `..` or leave its folder. MLflow's clients make run ids of
 * 32 hex characters; its stores accept this wider pattern.
 */
const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;
const EXPERIMENT_ID = /^[a-zA-Z0-9][\w-]{0,63}$/;

export const isValidRunId = (id: string): boolean => RUN_ID.test(id);
export const isValidExperimentId = (id: string): boolean => EXPERIMENT_ID.test(id);
