'use strict';
// The bot list: each bot with the result of its latest compile, refreshed every two seconds.
(() => {
  const list = document.getElementById('bots');

  function item(bot) {
    const li = document.createElement('li');
    li.className = 'bot-card';
    const link = document.createElement('a');
    link.href = '/' + encodeURIComponent(bot.id);
    link.textContent = bot.name;
    const id = document.createElement('code');
    id.textContent = bot.id;
    const status = document.createElement('span');
    status.className = 'status ' + bot.level;
    status.dataset.testid = 'bot-status';
    status.textContent = bot.status;
    li.append(link, id, status);
    return li;
  }

  async function load() {
    try {
      const response = await fetch('/_api/bots/');
      const bots = await response.json();
      list.replaceChildren(...bots.map(item));
      document.getElementById('empty').hidden = bots.length > 0;
    } catch {
      // The simulator stopped or restarts: the next round tries again.
    }
  }

  load();
  setInterval(load, 2000);
})();
