/**
 * The storefront demo's shop: the Online Retail purchases shipped with the
 * package (data/), their product names (given to the model as item
 * metadata), a sample of customers worth showing and each customer's
 * purchase history.
 */
import { loadDemoData } from '../../data/demo-data.js';
import type { Interactions } from '../../data/interactions.js';
import { ErrorCodes, MfrecError } from '../../errors.js';

export interface DemoCustomer {
  customer: string;
  /** Distinct products bought. */
  products: number;
}

export interface BoughtItem {
  item: string;
  name: string;
  /** Invoices in which the customer bought it. */
  orders: number;
  /** ISO date of the last purchase. */
  lastBought: string;
}

export interface DemoShop {
  purchases: Interactions;
  /** Stock code → product name (the Description column). */
  names: Map<string, string>;
  /** The customers the page offers. */
  customers: DemoCustomer[];
  /** The customer's products, most often bought first; at most `limit`. */
  history(customer: string, limit?: number): BoughtItem[];
}

/** Customers offered by the page: enough history to make recommendations worth a look. */
const SAMPLE_SIZE = 24;
const MIN_PRODUCTS = 15;
/** Visiting customers with a stride spreads the sample over the id order instead of taking the first few. */
const STRIDE = 97;
const HISTORY_LIMIT = 50;

export async function loadDemoShop(): Promise<DemoShop> {
  const { interactions: purchases, itemNames: names } = await loadDemoData();
  const rows = purchases.byUser;
  const customers: DemoCustomer[] = [];
  for (let start = 0; start < STRIDE && customers.length < SAMPLE_SIZE; start++) {
    for (let u = start; u < rows.rows && customers.length < SAMPLE_SIZE; u += STRIDE) {
      const products = rows.indptr[u + 1]! - rows.indptr[u]!;
      if (products >= MIN_PRODUCTS) customers.push({ customer: String(purchases.users.id(u)), products });
    }
  }
  const history = (customer: string, limit = HISTORY_LIMIT): BoughtItem[] => {
    const u = purchases.users.index(customer);
    if (u === undefined) throw new MfrecError(ErrorCodes.UNKNOWN_ID, `Unknown customer ${JSON.stringify(customer)}: not in the demo's purchases`);
    const entries = Array.from({ length: rows.indptr[u + 1]! - rows.indptr[u]! }, (_, j) => rows.indptr[u]! + j);
    const time = (k: number) => rows.timestamps?.[k] ?? 0;
    entries.sort((a, b) => rows.values[b]! - rows.values[a]! || time(b) - time(a) || a - b);
    return entries.slice(0, limit).map((k) => {
      const item = String(purchases.items.id(rows.indices[k]!));
      return { item, name: names.get(item) ?? item, orders: rows.values[k]!, lastBought: new Date(time(k) * 1000).toISOString().slice(0, 10) };
    });
  };
  return { purchases, names, customers, history };
}
