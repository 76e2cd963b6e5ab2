/** Rates and percentages in reports carry two decimals: what a person reads, and what a merge adds up again. */
export const round2 = (n: number): number => Math.round(n * 100) / 100;
