// "Use my location": progressive enhancement of the postcode box. Without JavaScript, or without
// geolocation, the button stays hidden and the postcode box works as before. The browser's
// position goes to our own lookup page (never a third party), which redirects to the ward page.
(function () {
  if (!("geolocation" in navigator)) return;
  document.querySelectorAll("[data-use-location]").forEach(function (holder) {
    var button = holder.querySelector("button");
    var status = holder.querySelector("[role=status]");
    holder.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = "Finding your location…";
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          var lat = position.coords.latitude.toFixed(5);
          var lng = position.coords.longitude.toFixed(5);
          window.location.href = holder.closest("form").action + "?lat=" + lat + "&lng=" + lng;
        },
        function () {
          status.textContent = "We could not get your location. Please enter your postcode instead.";
          button.disabled = false;
        },
        { timeout: 10000, maximumAge: 600000 }
      );
    });
  });
})();
