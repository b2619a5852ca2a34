// Progressive enhancements. Without JavaScript every page works as it is; with it:
// - an error summary takes focus when the page loads, so screen readers announce it first;
// - "Use my location" appears beside the postcode box. The browser's position goes to our own
//   lookup page (never a third party), which redirects to the ward page.
(function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();

  if (!("geolocation" in navigator)) return;
  document.querySelectorAll("[data-use-location]").forEach(function (holder) {
    var button = holder.querySelector("button");
    var status = holder.querySelector("[role=status]");
    var busy = false;
    holder.hidden = false;
    button.addEventListener("click", function () {
      if (busy) return;
      // aria-disabled rather than disabled, so keyboard focus stays on the button.
      busy = true;
      button.setAttribute("aria-disabled", "true");
      status.textContent = "Finding your location…";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          var lat = position.coords.latitude.toFixed(5);
          var lng = position.coords.longitude.toFixed(5);
          window.location.href = holder.closest("form").action + "?lat=" + lat + "&lng=" + lng;
        },
        function () {
          status.textContent = "We could not get your location. Please enter your postcode instead.";
          busy = false;
          button.removeAttribute("aria-disabled");
        },
        { timeout: 10000, maximumAge: 600000 }
      );
    });
  });
})();
