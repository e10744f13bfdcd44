/** What the engine reports while it writes. */
export interface SeedProgress {
  table: string;
  tableRows: number;
  rows: number;
  /** Rows expected over all tables, when known (synthesis). */
  expectedRows?: number;
  rowsPerSecond: number;
  etaSeconds?: number;
  done: boolean;
}

export type ProgressListener = (p: SeedProgress) => void;

export class ProgressMeter {
  private readonly started = Date.now();
  private rows = 0;
  private readonly perTable = new Map<string, number>();

  constructor(
    private readonly listener: ProgressListener | undefined,
    private readonly expectedRows?: number,
  ) {}

  add(table: string, rows: number, done = false): void {
    this.rows += rows;
    const tableRows = (this.perTable.get(table) ?? 0) + rows;
    this.perTable.set(table, tableRows);
    if (!this.listener) return;
    const seconds = Math.max(1e-3, (Date.now() - this.started) / 1000);
    const rowsPerSecond = this.rows / seconds;
    const etaSeconds =
      this.expectedRows !== undefined && rowsPerSecond > 0
        ? Math.max(0, (this.expectedRows - this.rows) / rowsPerSecond)
        : undefined;
    this.listener({
      table,
      tableRows,
      rows: this.rows,
      expectedRows: this.expectedRows,
      rowsPerSecond,
      etaSeconds,
      done,
    });
  }

  get total(): number {
    return this.rows;
  }
}
