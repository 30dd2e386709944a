import pino, { type Logger } from "pino";

/** pino JSON logs; secrets never reach them. */
export const createLogger = (level: string, destination?: pino.DestinationStream): Logger =>
  pino(
    {
      level,
      redact: {
        paths: ["req.headers.authorization", "headers.authorization", "token", "*.token", "password", "*.password", "API_TOKEN"],
        censor: "*****",
      },
    },
    destination,
  );
