// Progressive enhancement only: every page works without this script.
import { initAll } from '/nhsuk-frontend.min.js'

document.body.classList.add('js-enabled', 'nhsuk-frontend-supported')
initAll()

// "Exit this page": leave at once and take this page out of the back-button history.
const exitLinks = document.querySelectorAll('[data-exit-this-page]')
const leave = (url) => { window.location.replace(url) }
exitLinks.forEach((link) => {
  link.addEventListener('click', (event) => {
    event.preventDefault()
    leave(link.href)
  })
})
if (exitLinks.length > 0) {
  let presses = 0
  let timer = null
  document.addEventListener('keyup', (event) => {
    if (event.key !== 'Shift') return
    presses += 1
    clearTimeout(timer)
    timer = setTimeout(() => { presses = 0 }, 1000)
    if (presses >= 3) leave(exitLinks[0].href)
  })
}
