// A minimal HTTP server: GET / answers "Hello Docker" on port 8080.
package main

import (
	"fmt"
	"log"
	"net/http"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "Hello Docker")
	})
	log.Fatal(http.ListenAndServe(":8080", nil))
}
