export { readPretrained, PretrainedError, type SourceModel, type SourceWeight } from './read.js';
export { matchPretrained, formatPretrained, type MatchMode, type PretrainedReport } from './match.js';
export { frozenNodes } from './freeze.js';
export { applyPretrained } from './apply.js';
