/** Thrown for a chart the runs cannot feed; the message tells the user why. */
export class ChartError extends Error {}
