// Song votes: optimistic (DESIGN §4.12). The button shows the new state at once;
// the server's answer confirms it or reverts it with a message. The queue region
// is shared by every guest, so "which songs did *I* vote for" comes from the
// household's own live region (#my-song-votes, also updated when another phone of
// the household votes) and is re-applied whenever either region is swapped in.
// The buttons are real submit buttons of #song-vote-form (voting works without
// JavaScript); here their clicks are answered in place through the live client
// (window.confettiLive.post) and the form never posts. Votes stay optimistic, which
// hx-post cannot express (it swaps the server's answer, after the round trip).
(function () {
  "use strict";
  const gettext = window.gettext || function (text) { return text; };  // Django's JavaScript catalog
  const root = document.querySelector("[data-song-voting]");
  if (!root) return;
  let votes = {};
  let votesText = null;
  function readVotes() {
    const node = document.getElementById("my-song-votes");
    if (!node || node.textContent === votesText) return;
    votesText = node.textContent;
    try { votes = JSON.parse(votesText); } catch (_error) { /* keep what we had */ }
  }
  const status = root.querySelector("[data-vote-status]");
  const inFlight = new Set();

  function votingAs() {
    const field = root.querySelector("[data-voting-as]");
    return field ? field.value : "";
  }
  function hasVoted(songId) {
    return (votes[votingAs()] || []).map(String).includes(String(songId));
  }
  // Writes only what differs: the MutationObserver below must not see its own echo.
  function show(button, voted) {
    const pressed = voted ? "true" : "false";
    if (button.getAttribute("aria-pressed") !== pressed) button.setAttribute("aria-pressed", pressed);
    const label = button.querySelector(".vote-label");
    const text = voted ? gettext("Voted") : gettext("Vote");
    if (label && label.textContent !== text) label.textContent = text;
  }
  function apply() {
    readVotes();
    root.querySelectorAll("[data-vote-button]").forEach(function (button) {
      if (!inFlight.has(button.dataset.song)) show(button, hasVoted(button.dataset.song));
    });
  }
  function setCount(button, count) {
    const node = button.querySelector("[data-vote-count]");
    if (node && node.textContent !== String(count)) node.textContent = String(count);
  }
  function currentCount(button) {
    const node = button.querySelector("[data-vote-count]");
    return node ? parseInt(node.textContent, 10) || 0 : 0;
  }
  function say(message) {
    if (status) status.textContent = message;
  }

  root.addEventListener("click", async function (event) {
    const button = event.target.closest("[data-vote-button]");
    if (!button || !root.contains(button) || !window.confettiLive) return; // no client: the form posts
    event.preventDefault(); // answered here, optimistically: no page load
    const songId = button.dataset.song;
    if (inFlight.has(songId)) return;
    const guest = votingAs();
    const wasVoted = button.getAttribute("aria-pressed") === "true";
    const before = currentCount(button);
    // Optimistic: show the new state now.
    inFlight.add(songId);
    show(button, !wasVoted);
    setCount(button, Math.max(0, before + (wasVoted ? -1 : 1)));
    say("");
    const body = new URLSearchParams({ guest: guest, vote: wasVoted ? "0" : "1" });
    const result = await window.confettiLive.post(button.formAction, body);
    const answer = result.body;
    inFlight.delete(songId);
    if (!result.ok || answer.vote_count === undefined) {
      // Revert: the live region may have been swapped meanwhile, so look the button up again.
      const current = root.querySelector('[data-vote-button][data-song="' + songId + '"]');
      if (current) { show(current, wasVoted); if (current === button) setCount(current, before); }
      say(result.message || gettext("Your vote could not be saved. Please try again."));
      return;
    }
    if (answer.votes) {
      // The server's answer is newer than the blob on the page; only a later push replaces it.
      const node = document.getElementById("my-song-votes");
      votes = answer.votes;
      votesText = node ? node.textContent : null;
    }
    const current = root.querySelector('[data-vote-button][data-song="' + songId + '"]');
    if (current) { show(current, hasVoted(songId)); setCount(current, answer.vote_count); }
  });

  root.addEventListener("change", function (event) {
    if (event.target.matches("[data-voting-as]")) apply();
  });
  // A live swap morphs the shared queue back to the server's (nobody's) votes and may
  // bring this household's new votes: re-apply them to the buttons.
  document.addEventListener("live:updated", apply);
  apply();
})();
