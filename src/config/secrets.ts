/**
 * Names that hold credentials (MLFLOW_TRACKING_TOKEN, password:, api_key=, AWS_SECRET_ACCESS_KEY):
 * a bare `key` is left alone, as messages say "unknown key".
 */
const SECRET_ASSIGNMENT = /([\w.-]*(?:token|passw(?:or)?d|secret|credential|[_-]key)[\w.-]*['"]?\s*[:=]\s*['"]?)([^\s'",}\]]+)/gi;

/** Masks the values of token-, password- and key-like names: every line exp prints about a config goes through this. */
export const maskSecrets = (text: string): string => text.replace(SECRET_ASSIGNMENT, '$1***');
