// 동네마트 공용 함수. 재고(stock)와 주문(order:번호), 주문 번호(last_order_no)는 봇의 data에 있어서 모든 손님이 함께 봅니다.
// 손님마다 다른 것(장바구니 cart, 결제 중인 주문 번호 checkout, 주문 내역 orders)은 vars에 있습니다.
// 카드는 pay가 다룹니다: 봇은 카드 번호를 보지 못하고, 브랜드와 끝 4자리만 압니다 (docs/commerce.md).

const CANCEL_MINUTES = 5;
const HOLD_SECONDS = 30;

// 처음 여는 날의 재고. 함수로 두어 부를 때마다 새 객체를 받습니다 (data.update의 함수는 다시 불릴 수 있어요).
function startStock() {
  return {
    '사과 1kg': { price: 8900, left: 5 },
    '우유 1L': { price: 2800, left: 3 },
    '두부 한 모': { price: 1500, left: 0 },
    '달걀 10구': { price: 4200, left: 10 },
  };
}

// 재고 객체의 _held에는 결제 중인 주문이 잡아 둔 수량이 있어요: { 주문번호: { items, at } }.
function products(items) {
  return Object.keys(items).filter((name) => name !== '_held');
}

function giveBack(items, taken) {
  Object.keys(taken).forEach((name) => { items[name].left += taken[name]; });
}

// 잡아 둔 수량 정리: 주문이 저장됐으면 판매로 확정, 주문 없이 HOLD_SECONDS가 지났으면 (그 턴이 실패했으니) 재고로 돌려놓아요.
// 그래서 결제 도중 턴이 실패해도 재고는 정확히 맞아요 (docs/commerce.md).
// 주문이 저장됐는지는 data.update 밖에서 미리 읽어 둡니다(checkHolds): update의 함수 안에서 data.get을 부르면
// 그동안 같은 상품을 사려는 다른 손님이 모두 기다려요. 미리 읽지 못한 (그 뒤에 생긴) 주문은 건드리지 않아요.
function checkHolds(items) {
  const placed = {};
  Object.keys((items && items._held) || {}).forEach((no) => { placed[no] = Boolean(data.get('order:' + no)); });
  return placed;
}

function settle(items, placed) {
  const held = items._held || {};
  Object.keys(held).forEach((no) => {
    if (!(no in placed)) {
      return;
    }
    if (placed[no]) {
      delete held[no];
    } else if (Date.now() - held[no].at > HOLD_SECONDS * 1000) {
      giveBack(items, held[no].items);
      delete held[no];
    }
  });
  items._held = held;
  return items;
}

// 지금 재고를 읽어서 정리한 모습 (보여 주기용; 저장은 data.update로만).
function stock() {
  const items = data.get('stock') || startStock();
  return settle(items, checkHolds(items));
}

// 재고를 원자적으로 바꿉니다: change(정리된 재고)가 고친 재고를 저장해요.
function updateStock(change) {
  const placed = checkHolds(data.get('stock'));
  return data.update('stock', (current) => change(settle(current || startStock(), placed)));
}

function onSale() {
  const items = stock();
  return products(items).filter((name) => items[name].left > 0);
}

function won(amount) {
  return String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, ',') + '원';
}

function linesOf(cart, items) {
  return Object.keys(cart).map((name) => `${name} × ${cart[name]} = ${won(items[name].price * cart[name])}`);
}

function totalOf(cart, items) {
  return Object.keys(cart).reduce((sum, name) => sum + items[name].price * cart[name], 0);
}

function cartLines() {
  return linesOf(vars.cart || {}, stock());
}

function cartTotal() {
  return totalOf(vars.cart || {}, stock());
}

// 장바구니가 바뀌면 결제하려던 주문 번호는 버립니다: 같은 번호로 다른 금액을 결제하지 않도록.
function cartChanged() {
  delete vars.checkout;
}

// 결제 확인 화면에서 주문 번호를 정합니다. 번호는 모든 손님 사이에서 하나씩 늘어납니다 (data.update는 원자적).
function checkoutNo() {
  if (!vars.checkout) {
    vars.checkout = data.update('last_order_no', (last) => (last || 1000) + 1);
  }
  return vars.checkout;
}

function cardLabel(card) {
  return `${card.brand} ****${card.last4}`;
}

// 주문: 재고를 잡고(원자적), 결제하고, 주문을 남깁니다.
// - 재고가 모자라면 아무것도 바꾸지 않고 모자란 상품을 돌려줍니다 (품절).
// - 결제가 안 되면 잡았던 재고를 돌려놓습니다. 잡은 수량은 주문이 저장되기 전까지 _held에 남아 있어서, 턴이 실패하면 나중에 돌아와요.
// - 주문(data.set)은 이 턴이 끝나야 저장되고, 턴이 실패하면 호스트가 결제를 환불합니다: 결제 없는 주문도, 주문 없는 결제도 없어요.
// - 같은 주문 번호로 다시 오면 (결제 뒤 세션이 저장되기 전에 서버가 멈췄다면) 이미 있는 주문을 돌려줍니다.
function placeOrder() {
  const no = vars.checkout;
  const done = data.get('order:' + no);
  if (done) {
    finish(no);
    return { order: done };
  }

  const cart = vars.cart || {};
  const names = Object.keys(cart);
  let short = [];
  const items = updateStock((next) => {
    short = names.filter((name) => !next[name] || next[name].left < cart[name]);
    if (short.length === 0) {
      names.forEach((name) => { next[name].left -= cart[name]; });
      next._held[no] = { items: cart, at: Date.now() };
    }
    return next;
  });
  if (short.length > 0) {
    return { short };
  }

  const total = totalOf(cart, items);
  const paid = pay.charge(total, 'A' + no);
  if (!paid.ok) {
    data.update('stock', (current) => {
      if (current._held && current._held[no]) {
        giveBack(current, cart);
        delete current._held[no];
      }
      return current;
    });
    return { failed: paid };
  }

  const order = {
    no, items: cart, total, paymentId: paid.paymentId, card: cardLabel(pay.card()),
    state: 'paid', at: now(), atMs: Date.now(),
  };
  data.set('order:' + no, order);
  finish(no);
  log('주문', no, won(total), paid.paymentId);
  return { order };
}

// 주문이 끝난 손님의 장바구니를 비우고 주문 내역에 남깁니다.
function finish(no) {
  if (!(vars.orders || []).includes(no)) {
    vars.orders = [...(vars.orders || []), no].slice(-20);
  }
  delete vars.cart;
  delete vars.checkout;
}

function receipt(order) {
  return [
    `결제가 끝났어요. 주문번호 ${order.no}번`,
    ...linesOf(order.items, stock()),
    `합계 ${won(order.total)} (${order.card})`,
    `1시간 안에 배달해 드릴게요. ${CANCEL_MINUTES}분 안에는 '주문 내역'에서 취소할 수 있어요.`,
  ].join('\n');
}

function cancellable(order) {
  return order.state === 'paid' && Date.now() - order.atMs <= CANCEL_MINUTES * 60 * 1000;
}

// 이 손님의 주문을 취소하고 환불합니다. 상태 변경은 data.update로: 두 번 눌러도 재고는 한 번만 돌아와요.
function cancelOrder(no) {
  const order = (vars.orders || []).includes(no) ? data.get('order:' + no) : undefined;
  if (!order) {
    return { error: '그런 주문이 없어요.' };
  }
  if (order.state !== 'paid') {
    return { error: `주문 ${no}번은 이미 취소했어요.` };
  }
  if (!cancellable(order)) {
    return { error: `주문하고 ${CANCEL_MINUTES}분이 지나 채팅으로는 취소할 수 없어요. 매장(02-555-1234)으로 연락해 주세요.` };
  }

  const refund = pay.refund(order.paymentId);
  if (!refund.ok && refund.code !== 'already_refunded') {
    return { error: '환불하지 못했어요: ' + refund.message };
  }

  let cancelled = false;
  data.update('order:' + no, (current) => {
    cancelled = current.state === 'paid';
    if (cancelled) {
      current.state = 'cancelled';
      current.cancelledAt = now();
    }
    return current;
  });
  if (cancelled) {
    updateStock((next) => {
      giveBack(next, order.items);
      return next;
    });
  }
  log('취소', no, won(order.total));
  return { order };
}

function historyLines() {
  return (vars.orders || []).slice(-5).reverse().map((no) => {
    const order = data.get('order:' + no);
    if (!order) {
      return `${no}번: 기록 없음`;
    }
    const state = order.state === 'paid' ? '결제 완료' : '취소·환불';
    return `${no}번 ${won(order.total)} ${state} (${order.at.slice(5, 16).replace('T', ' ')})`;
  });
}
