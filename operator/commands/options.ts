/** Commander's accumulator for a repeatable option: every occurrence, in order. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
