// 동네마트 공용 함수. 재고(stock)와 주문(order:번호)은 봇의 data에 있어서 모든 손님이 함께 봅니다.
// 손님마다 다른 것(장바구니 cart, 결제 카드 card)은 vars에 있습니다.

const START_STOCK = {
  '사과 1kg': { price: 8900, left: 5 },
  '우유 1L': { price: 2800, left: 3 },
  '두부 한 모': { price: 1500, left: 0 },
  '달걀 10구': { price: 4200, left: 10 },
};

function stock() {
  let items = data.get('stock');
  if (items === undefined) {
    items = START_STOCK;
    data.set('stock', items);
  }
  return items;
}

function onSale() {
  const items = stock();
  return Object.keys(items).filter((name) => items[name].left > 0);
}

function won(amount) {
  return String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, ',') + '원';
}

function cartLines() {
  const cart = vars.cart || {};
  const items = stock();
  return Object.keys(cart).map((name) => `${name} × ${cart[name]} = ${won(items[name].price * cart[name])}`);
}

function cartTotal() {
  const cart = vars.cart || {};
  const items = stock();
  return Object.keys(cart).reduce((sum, name) => sum + items[name].price * cart[name], 0);
}

// 재고를 줄이고 주문을 남깁니다. 재고가 모자라면 아무것도 바꾸지 않고 모자란 상품 이름을 돌려줍니다.
function placeOrder() {
  const items = stock();
  const cart = vars.cart || {};
  const short = Object.keys(cart).filter((name) => items[name].left < cart[name]);
  if (short.length > 0) {
    return { short };
  }

  for (const name of Object.keys(cart)) {
    items[name].left -= cart[name];
  }
  data.set('stock', items);

  const no = (data.get('last_order_no') || 1000) + 1;
  data.set('last_order_no', no);
  data.set('order:' + no, { items: cart, total: cartTotal(), card: vars.card.token, at: now() });
  log('주문', no, won(cartTotal()));
  return { no };
}
