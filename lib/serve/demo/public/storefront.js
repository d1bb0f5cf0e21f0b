// The storefront page: plain DOM, no framework. Every text from the data goes
// in through textContent, never as markup: product names hold quotes and ampersands.
// Loaded as a module: strict mode, and it runs once the document is parsed.

const RECOMMENDATIONS = 10;
const ALSO_BOUGHT = 8;
const WHY_ITEMS = 5;

// Product names, learnt from the answers that carry them (the model's item metadata, the demo's history route).
const state = { customer: '', cart: [], names: new Map(), product: '' };
// Answers can arrive out of order: only the latest request of each kind may draw.
const latest = { recommended: 0, history: 0, product: 0 };
let busy = 0;

const $ = (id) => document.getElementById(id);
const nameOf = (item) => state.names.get(String(item)) || String(item);
const remember = (item, name) => {
  if (typeof name === 'string' && name !== '') state.names.set(String(item), name);
};

/** Counts requests in flight in body[data-busy], so a test (or a person) can tell when the page has settled. */
async function track(work) {
  document.body.dataset.busy = String(++busy);
  try {
    return await work;
  } catch (e) {
    showStatus(e.message, true);
    return undefined;
  } finally {
    document.body.dataset.busy = String(--busy);
  }
}

async function getJson(url, init) {
  const response = await fetch(url, init);
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.error?.message || `${response.status} from ${url}`);
  return body;
}

function postJson(url, value) {
  return getJson(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
}

function showStatus(text, isError = false) {
  $('status').textContent = text;
  $('status').className = isError ? 'error' : '';
}

function button(label, onClick, className) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  if (className) b.className = className;
  b.addEventListener('click', onClick);
  return b;
}

/** One product line: its name (opens the product), a short note and buttons. */
function productRow(item, meta, actions) {
  const li = $('product-row').content.firstElementChild.cloneNode(true);
  li.dataset.item = String(item);
  const name = li.querySelector('.name');
  name.textContent = nameOf(item);
  name.addEventListener('click', () => openProduct(item));
  li.querySelector('.meta').textContent = meta;
  li.querySelector('.actions').append(...actions(li));
  return li;
}

function fill(list, rows) {
  list.replaceChildren(...rows);
}

const addButton = (item) => button('Add to cart', () => addToCart(item));

async function loadCustomer(customer) {
  state.customer = customer;
  state.cart = [];
  drawCart();
  const ticket = ++latest.history;
  if (customer === '') {
    fill($('history'), []);
  } else {
    const history = await track(getJson(`/demo/customers/${encodeURIComponent(customer)}/history`));
    if (history && ticket === latest.history) {
      for (const b of history.items) remember(b.item, b.name);
      fill(
        $('history'),
        history.items.map((b) => productRow(b.item, `${b.orders} order${b.orders === 1 ? '' : 's'}, last ${b.lastBought}`, () => [addButton(b.item)])),
      );
    }
  }
  await refreshRecommendations();
}

async function refreshRecommendations() {
  const ticket = ++latest.recommended;
  const { customer, cart } = state;
  const withCart = cart.length > 0;
  $('recommended-title').textContent = withCart ? (customer ? 'Recommended for you, with your cart' : 'Recommended for your cart') : 'Recommended for you';
  if (!customer && !withCart) {
    $('recommended-hint').hidden = false;
    fill($('recommended'), []);
    return;
  }
  const answer = await track(
    withCart
      ? postJson('/recommend', { ...(customer ? { user: customer } : {}), items: cart, k: RECOMMENDATIONS })
      : getJson(`/recommend/${encodeURIComponent(customer)}?k=${RECOMMENDATIONS}`),
  );
  if (!answer || ticket !== latest.recommended) return;
  $('recommended-hint').hidden = true;
  for (const r of answer.items) remember(r.item, r.name);
  fill(
    $('recommended'),
    answer.items.map((r) =>
      productRow(r.item, r.source === 'cold-start' ? 'popular (the model knows too little yet)' : `score ${r.score.toFixed(3)}`, (li) => [
        addButton(r.item),
        ...(customer && r.source === 'model' ? [button('Why?', () => toggleWhy(li, r.item))] : []),
      ]),
    ),
  );
}

/** Why the model recommends `item` to the customer: the purchases that contribute most to its score. */
async function toggleWhy(li, item) {
  const box = li.querySelector('.why');
  if (!box.hidden) {
    box.hidden = true;
    return;
  }
  const e = await track(getJson(`/explain/${encodeURIComponent(state.customer)}/${encodeURIComponent(item)}?n=${WHY_ITEMS}`));
  if (!e) return;
  const intro = document.createElement('div');
  // The explanation decomposes the score of the customer's trained purchases; a cart's items are not part of it.
  intro.textContent = `From the purchases of customer ${e.user} alone, score ${e.score.toFixed(3)}; the ones that weigh most (of ${e.historySize}):`;
  const list = document.createElement('ul');
  for (const c of e.contributions) {
    remember(c.item, c.metadata?.name);
    const line = document.createElement('li');
    line.textContent = `${nameOf(c.item)} (${c.contribution >= 0 ? '+' : ''}${c.contribution.toFixed(3)})`;
    list.append(line);
  }
  const rest = document.createElement('div');
  rest.textContent = `Their other purchases together: ${e.rest >= 0 ? '+' : ''}${e.rest.toFixed(3)}.`;
  box.replaceChildren(intro, list, rest);
  box.hidden = false;
}

async function openProduct(item) {
  const ticket = ++latest.product;
  state.product = String(item);
  $('product-name').textContent = nameOf(item);
  $('product-code').textContent = String(item);
  $('product').hidden = false;
  fill($('also-bought'), []);
  $('product').scrollIntoView({ block: 'start' });
  const similar = await track(getJson(`/similar/${encodeURIComponent(item)}?k=${ALSO_BOUGHT}`));
  if (!similar || ticket !== latest.product) return;
  for (const s of similar.items) remember(s.item, s.name);
  fill(
    $('also-bought'),
    similar.items.map((s) => productRow(s.item, `similarity ${s.score.toFixed(2)}`, () => [addButton(s.item)])),
  );
}

function addToCart(item) {
  if (!state.cart.includes(item)) state.cart.push(item);
  drawCart();
  void refreshRecommendations();
}

function removeFromCart(item) {
  state.cart = state.cart.filter((c) => c !== item);
  drawCart();
  void refreshRecommendations();
}

function drawCart() {
  fill(
    $('cart'),
    state.cart.map((item) => productRow(item, '', () => [button('Remove', () => removeFromCart(item))])),
  );
  $('cart-empty').hidden = state.cart.length > 0;
  $('cart-clear').hidden = state.cart.length === 0;
}

async function start() {
  $('customer').addEventListener('change', (e) => void loadCustomer(e.target.value));
  $('product-add').addEventListener('click', () => addToCart(state.product));
  $('product-close').addEventListener('click', () => {
    $('product').hidden = true;
  });
  $('cart-clear').addEventListener('click', () => {
    state.cart = [];
    drawCart();
    void refreshRecommendations();
  });
  const customers = await getJson('/demo/customers');
  for (const c of customers.customers) {
    const option = document.createElement('option');
    option.value = c.customer;
    option.textContent = `Customer ${c.customer} (${c.products} products)`;
    $('customer').append(option);
  }
  showStatus(`${customers.customers.length} customers to pick from.`);
}

document.body.dataset.busy = '0';
void track(start());
