import { Injectable } from '@nestjs/common';

/** Whether the inventory system behind external offerings can take orders now. */
export interface ExternalSourceStatus {
  /** True while external offerings cannot be ordered (the IMS is down, or switched off). */
  externalUnavailable(): Promise<boolean>;
}

/**
 * The catalog's port for the external inventory's state: the inventory module (which
 * depends on the catalog, not the other way) registers its implementation at start-up.
 * Without one, external offerings read as orderable.
 */
@Injectable()
export class ExternalSourcePort {
  private status: ExternalSourceStatus | null = null;

  register(status: ExternalSourceStatus): void {
    this.status = status;
  }

  externalUnavailable(): Promise<boolean> {
    return this.status?.externalUnavailable() ?? Promise.resolve(false);
  }
}
