// Live character counters for suggested captions, one per network limit (progressive enhancement).
document.querySelectorAll("textarea[data-limit]").forEach(function (area) {
  var counter = document.getElementById(area.id + "-count");
  var limit = parseInt(area.dataset.limit, 10);
  function update() {
    var n = Array.from(area.value).length;
    counter.textContent = n + " / " + limit;
    counter.classList.toggle("over", n > limit);
  }
  area.addEventListener("input", update);
  update();
});
