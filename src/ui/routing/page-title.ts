/** The document title of each page, so tabs, history and screen readers tell the pages apart. */
import type { Route } from './hash-route.js';

export function pageTitle(route: Route): string {
  switch (route.page) {
    case 'runs':
      return 'Runs · eventlake';
    case 'run':
      return `Run ${route.id} · eventlake`;
    case 'dlq':
      return route.id === undefined ? 'Dead letters · eventlake' : `Dead letter ${route.id} · eventlake`;
    case 'lake':
      return 'Lake · eventlake';
    case 'warehouse':
      return 'Warehouse · eventlake';
    case 'unknown':
      return 'No such page · eventlake';
  }
}
