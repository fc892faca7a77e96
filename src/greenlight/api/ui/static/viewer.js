// The wipe slider (the output over its input, cut where the slider is) and side-by-side playback kept in step.
document.querySelectorAll("[data-wipe]").forEach((wipe) => {
  const slider = wipe.querySelector("input");
  const move = () => wipe.style.setProperty("--wipe", slider.value + "%");
  slider.addEventListener("input", move);
  move();
});
document.querySelectorAll("[data-sync]").forEach((group) => {
  const [before, after] = group.querySelectorAll("video");
  const play = group.querySelector("[data-play]"), seek = group.querySelector("[data-seek]");
  const time = group.querySelector("[data-time]");
  const both = (f) => [before, after].forEach(f);
  play.addEventListener("click", () => {
    if (after.paused) { before.currentTime = after.currentTime; both((v) => v.play()); play.textContent = "Pause both"; }
    else { both((v) => v.pause()); play.textContent = "Play both"; }
  });
  seek.addEventListener("input", () => both((v) => { v.currentTime = (seek.value / 1000) * (after.duration || 0); }));
  after.addEventListener("timeupdate", () => {
    if (Math.abs(before.currentTime - after.currentTime) > 0.08) before.currentTime = after.currentTime;
    if (after.duration) seek.value = Math.round((after.currentTime / after.duration) * 1000);
    time.textContent = after.currentTime.toFixed(2) + " s";
  });
  after.addEventListener("ended", () => { before.pause(); play.textContent = "Play both"; });
});
