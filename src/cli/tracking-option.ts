/** `--tracking-uri`, shared by the commands that read or write runs. */
export const trackingUriOption = {
  type: 'string',
  describe: 'MLflow server (http://...) or folder; default $MLFLOW_TRACKING_URI, else ./runs',
} as const;
